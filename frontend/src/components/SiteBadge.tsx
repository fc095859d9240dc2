import type { Site } from '../types';
import Badge from './Badge';

/** Active, suspended, or suspended because its hosting account is. */
export default function SiteBadge({ site }: { site: Site }) {
  if (site.state === 'suspended') {
    return (
      <Badge tone="amber" dot>
        Suspended
      </Badge>
    );
  }
  if (site.suspended) {
    return (
      <Badge tone="amber" dot>
        Account suspended
      </Badge>
    );
  }
  return (
    <Badge tone="green" dot>
      Active
    </Badge>
  );
}
