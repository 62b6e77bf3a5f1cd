/**
 * A 400 that names its fields. The message lists them (`field: message;
 * ...`) for readers of the text; `fields` carries each one whole beside it in
 * the error body (Backstage's error handler serializes an error's own
 * properties), so the form shows a message with "; " in it entire.
 */
import { InputError } from '@backstage/errors';
import {
  FieldError,
  formatFieldErrors,
} from '@tracegate/plugin-tracing-common';

/** @internal */
export function fieldInputError(
  errors: FieldError | FieldError[],
): InputError & { fields: FieldError[] } {
  const fields = Array.isArray(errors) ? errors : [errors];
  return Object.assign(new InputError(formatFieldErrors(fields)), { fields });
}
