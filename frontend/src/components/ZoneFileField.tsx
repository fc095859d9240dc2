import { useState, type ChangeEvent, type ReactNode } from 'react';
import TextAreaField from './TextAreaField';

/** A zone file typed or pasted into a text area, or read from a file the user picks. */
export default function ZoneFileField({
  value,
  onChange,
  error,
  hint,
  placeholder,
}: {
  value: string;
  onChange: (text: string) => void;
  error: string | undefined;
  hint: ReactNode;
  placeholder?: string;
}) {
  const [fileError, setFileError] = useState<string | undefined>(undefined);

  function readFile(event: ChangeEvent<HTMLInputElement>): void {
    const file = event.target.files?.[0];
    if (file === undefined) return;
    setFileError(undefined);
    file.text().then(onChange, () => setFileError('The file could not be read.'));
  }

  return (
    <div className="space-y-2">
      <TextAreaField
        label="Zone file"
        name="zone_file"
        rows={8}
        spellCheck={false}
        placeholder={placeholder}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        error={error ?? fileError}
        hint={hint}
      />
      <label className="block text-sm text-slate-600">
        <span className="mr-2">Or read it from a file:</span>
        <input type="file" accept=".zone,.txt,.db,text/plain" onChange={readFile} className="text-sm" />
      </label>
    </div>
  );
}
