import type { InertiaFormProps } from '@inertiajs/react';
import type { ChangeEvent } from 'react';

/** The fields of a form's data that hold a string, or a boolean. */
type KeysOf<Data, Value> = { [Key in keyof Data]: Data[Key] extends Value ? Key : never }[keyof Data] & string;

function errorOf<Data extends Record<string, unknown>>(form: InertiaFormProps<Data>, key: string): string | undefined {
  const errors: Partial<Record<string, string>> = form.errors;
  return errors[key];
}

/** A text input's or select's name, value, onChange and error, bound to a form's field. */
export function bindText<Data extends Record<string, unknown>>(form: InertiaFormProps<Data>, key: KeysOf<Data, string>) {
  return {
    name: key,
    value: String(form.data[key]),
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => form.setData((data) => ({ ...data, [key]: event.target.value })),
    error: errorOf(form, key),
  };
}

/** A checkbox's name, checked, onChange and error, bound to a form's field. */
export function bindCheck<Data extends Record<string, unknown>>(form: InertiaFormProps<Data>, key: KeysOf<Data, boolean>) {
  return {
    name: key,
    checked: form.data[key] === true,
    onChange: (event: ChangeEvent<HTMLInputElement>) => form.setData((data) => ({ ...data, [key]: event.target.checked })),
    error: errorOf(form, key),
  };
}

/** A create form's submit options: keep the scroll; once created, empty the form and close it. */
export function resetAndClose(form: { reset: () => void }, onClose: () => void) {
  return {
    preserveScroll: true,
    onSuccess: () => {
      form.reset();
      onClose();
    },
  };
}

/** An input for a name or address, taken as typed: no autofill, capitals or spelling fixes. */
export const NAME_INPUT = { autoComplete: 'off', autoCapitalize: 'none', spellCheck: false } as const;
