import type { FormEvent, ReactNode } from 'react';
import Button from './Button';
import Card from './Card';
import { FormAlert } from './FormField';

export interface FormCardProps {
  title: ReactNode;
  description?: ReactNode;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  /** The form's state: its errors (those of no field in `fields` are shown above the fields) and whether it is sending. */
  form: { errors: Partial<Record<string, string>>; processing: boolean };
  fields: readonly string[];
  submitLabel: string;
  /** Shows a Cancel button left of the submit button. */
  onCancel?: () => void;
  /** The form's spacing; space-y-5 unless told. */
  className?: string;
  children: ReactNode;
}

/** A card that holds one form: its title, the errors of no field, the fields, and the submit (and cancel) row. */
export default function FormCard({
  title,
  description,
  onSubmit,
  form,
  fields,
  submitLabel,
  onCancel,
  className = 'space-y-5',
  children,
}: FormCardProps) {
  return (
    <Card title={title} description={description}>
      <form onSubmit={onSubmit} noValidate className={className}>
        <FormAlert errors={form.errors} fields={fields} />
        {children}
        <div className={onCancel !== undefined ? 'flex justify-end gap-2' : 'flex justify-end'}>
          {onCancel !== undefined && (
            <Button variant="secondary" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={form.processing}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Card>
  );
}
