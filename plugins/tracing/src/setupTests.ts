import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy/waitFor wait up to 3 s instead of 1 s (still under jest's 5 s a
// test): on a loaded 2-core CI machine a lazy component's first render alone
// has taken over a second. A screen that never shows still fails.
configure({ asyncUtilTimeout: 3_000 });
