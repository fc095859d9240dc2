import { useEffect, useState } from 'react';
import Button, { type ButtonSize } from './Button';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API: the panel may be opened over plain http during setup.
    return false;
  }
}

/** Copies a text; says whether it worked, since the API is refused outside secure contexts. */
export default function CopyButton({ text, label = 'Copy', size = 'sm' }: { text: string; label?: string; size?: ButtonSize }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return undefined;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  return (
    <Button
      variant="secondary"
      size={size}
      onClick={() => {
        void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'));
      }}
    >
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy by hand' : label}</span>
    </Button>
  );
}
