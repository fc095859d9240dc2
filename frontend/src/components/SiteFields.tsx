import { NAME_INPUT } from '../lib/form';
import { CheckboxField, FormField, type CheckboxFieldProps, type FormFieldProps } from './FormField';

// The fields a new site and a site's settings share; the caller binds each to its form.

export function AliasesField(props: Omit<FormFieldProps, 'label' | 'hint'>) {
  return <FormField label="Aliases" hint="Other names of the site, separated by spaces or commas." {...NAME_INPUT} {...props} />;
}

/** `domain` names the default folder in the hint. */
export function DocrootField({ domain, ...props }: Omit<FormFieldProps, 'label' | 'hint'> & { domain: string }) {
  return (
    <FormField
      label="Document root"
      hint={`Inside the account's home; empty for sites/${domain}/public.`}
      {...NAME_INPUT}
      {...props}
    />
  );
}

export function RedirectAliasesField(props: Omit<CheckboxFieldProps, 'label' | 'hint'>) {
  return (
    <CheckboxField
      label="Redirect the aliases to the domain"
      hint="Permanent redirects (301), so the site has one canonical name."
      {...props}
    />
  );
}
