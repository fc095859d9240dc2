import { router } from '@inertiajs/react';
import { useState } from 'react';
import Button from './Button';

export interface SearchFormProps {
  /** The list's path; the search goes there as ?search=. */
  path: string;
  initial: string;
  /** Read by screen readers ("Search accounts"). */
  label: string;
  placeholder: string;
}

/** A list's search box: submits ?search=, and clears it. */
export default function SearchForm({ path, initial, label, placeholder }: SearchFormProps) {
  const [search, setSearch] = useState(initial);
  const id = `${path.replace(/\W/g, '')}-search`;

  function go(value: string): void {
    router.get(path, value === '' ? {} : { search: value }, { preserveState: true, replace: true });
  }

  return (
    <form
      role="search"
      className="flex w-full gap-2 sm:w-auto"
      onSubmit={(event) => {
        event.preventDefault();
        go(search.trim());
      }}
    >
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input
        id={id}
        type="search"
        placeholder={placeholder}
        value={search}
        onChange={(event) => setSearch(event.target.value)}
        className="block w-full min-w-0 rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 ring-inset placeholder:text-slate-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none sm:w-64"
      />
      <Button type="submit" variant="secondary" size="sm">
        Search
      </Button>
      {initial !== '' && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => {
            setSearch('');
            go('');
          }}
        >
          Clear
        </Button>
      )}
    </form>
  );
}
