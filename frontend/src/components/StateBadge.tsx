import type { AccountState } from '../types';
import Badge from './Badge';

export default function StateBadge({ state }: { state: AccountState }) {
  return state === 'active' ? (
    <Badge tone="green" dot>
      Active
    </Badge>
  ) : (
    <Badge tone="amber" dot>
      Suspended
    </Badge>
  );
}
