import { Fragment } from 'react';

/*
 * Two names can look alike in Unicode (a Cyrillic "а" for a Latin "a", "ß" beside "ss") but
 * never as A-labels (punycode), which are plain ASCII and what the server stores. So wherever a
 * site or zone is named, a name whose Unicode form differs from its A-label shows both: no two
 * objects a user can pick between ever look the same.
 */

/** A name as text (document titles, aria-labels): "bücher.example (xn--bcher-kva.example)". */
export function hostLabel(name: string, display: string): string {
  return display === '' || display === name ? name : `${display} (${name})`;
}

/**
 * A name for people: the Unicode form, with the A-label beside it in a muted monospace span
 * when the two differ. Its text is hostLabel's, so the accessible name of a link or heading
 * holding it is the same as the aria-labels built with hostLabel.
 */
export default function HostName({ name, display }: { name: string; display: string }) {
  if (display === '' || display === name) return <>{name}</>;
  return (
    <>
      {display}{' '}
      <span className="font-mono text-[0.85em] font-normal break-all text-slate-500">({name})</span>
    </>
  );
}

/** Several names (a site's aliases), each as HostName, separated by commas. */
export function HostNames({ names, displays }: { names: string[]; displays: string[] }) {
  return (
    <>
      {names.map((name, i) => (
        <Fragment key={name}>
          {i > 0 && ', '}
          <HostName name={name} display={displays[i] ?? name} />
        </Fragment>
      ))}
    </>
  );
}

/** The text form of HostNames, for a title attribute. */
export function hostLabels(names: string[], displays: string[]): string {
  return names.map((name, i) => hostLabel(name, displays[i] ?? name)).join(', ');
}
