import { entryError, type EntryDraft } from '../lib/dnsForm';
import Button from './Button';
import { InlineField, InlineSelect } from './InlineField';

export interface TemplateRecordsEditorProps {
  entries: EntryDraft[];
  onChange: (entries: EntryDraft[]) => void;
  types: string[];
  /** The form's errors; an entry's are "records.N.field" or "records.N". */
  errors: Partial<Record<string, string>>;
}

const HEAD = 'px-2 py-2 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase';

/** The records of a template as rows of inputs: edit, add and remove entries. */
export default function TemplateRecordsEditor({ entries, onChange, types, errors }: TemplateRecordsEditorProps) {
  function update(index: number, change: Partial<EntryDraft>): void {
    onChange(entries.map((entry, i) => (i === index ? { ...entry, ...change } : entry)));
  }

  return (
    <div className="space-y-3">
      <div className="overflow-x-auto">
        <table className="min-w-full text-sm">
          <caption className="sr-only">Template records</caption>
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className={`${HEAD} w-40`}>
                Name
              </th>
              <th scope="col" className={`${HEAD} w-28`}>
                Type
              </th>
              <th scope="col" className={HEAD}>
                Content
              </th>
              <th scope="col" className={`${HEAD} w-24`}>
                TTL
              </th>
              <th scope="col" className={`${HEAD} w-10`}>
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.map((entry, index) => {
              const n = index + 1;
              return (
                // Entries have no identity of their own; their place in the list is theirs.
                <tr key={index} className="align-top">
                  <td className="px-2 py-2">
                    <InlineField
                      label={`Name of record ${n}`}
                      mono
                      value={entry.name}
                      onChange={(event) => update(index, { name: event.target.value })}
                      error={entryError(errors, 'records', index, 'name')}
                    />
                  </td>
                  <td className="px-2 py-2">
                    <InlineSelect
                      label={`Type of record ${n}`}
                      value={entry.type}
                      options={types.includes(entry.type) ? types : [entry.type, ...types]}
                      onChange={(event) => update(index, { type: event.target.value })}
                      error={entryError(errors, 'records', index, 'type')}
                    />
                  </td>
                  <td className="px-2 py-2">
                    <InlineField
                      label={`Content of record ${n}`}
                      mono
                      value={entry.content}
                      onChange={(event) => update(index, { content: event.target.value })}
                      error={entryError(errors, 'records', index, 'content')}
                    />
                  </td>
                  <td className="px-2 py-2">
                    <InlineField
                      label={`TTL of record ${n}`}
                      inputMode="numeric"
                      placeholder="default"
                      value={entry.ttl}
                      onChange={(event) => update(index, { ttl: event.target.value })}
                      error={entryError(errors, 'records', index, 'ttl')}
                    />
                  </td>
                  <td className="px-2 py-2 text-right">
                    <Button
                      variant="ghost"
                      size="sm"
                      aria-label={`Remove record ${n}`}
                      onClick={() => onChange(entries.filter((_, i) => i !== index))}
                    >
                      ✕
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => onChange([...entries, { name: '@', type: types[0] ?? 'A', content: '', ttl: '' }])}
      >
        Add a record
      </Button>
    </div>
  );
}
