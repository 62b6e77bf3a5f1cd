import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy/waitFor wait up to 5 s instead of 1 s: on a loaded 2-core CI machine
// a lazy component's first render alone has taken over a second (a screen
// that never shows still fails, only later).
configure({ asyncUtilTimeout: 5_000 });
