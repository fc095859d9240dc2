// The props contract between the Django views and the pages. The views send
// exactly these shapes; a change on either side changes this file.

export type Role = 'admin' | 'reseller' | 'customer';

/** One page of a list the server searches and pages (?search=, ?page=). */
export interface SearchPage<Item> {
  items: Item[];
  page: number;
  pages: number;
  total: number;
  search: string;
}

export interface User {
  username: string;
  email: string;
  role: Role;
  two_factor: boolean;
}

export interface Flash {
  success: string | null;
  error: string | null;
}

/** A link of the main navigation; the server sends the ones the user's role sees. */
export interface NavItem {
  label: string;
  href: string;
}

/** Sent with every page. */
export interface SharedProps {
  auth: { user: User | null };
  /** The modules' navigation for this user, in order (empty before sign-in). */
  nav: NavItem[];
  flash: Flash;
  /** Inertia validation errors: field name → message. */
  errors: Record<string, string>;
}

/** The props a page component receives: the shared ones plus its own. */
export type PageProps<Own extends object = Record<never, never>> = SharedProps & Own;

declare module '@inertiajs/core' {
  // Types usePage().props and the errors of useForm.
  export interface InertiaConfig {
    errorValueType: string;
    sharedPageProps: SharedProps;
  }
}

// --- Dashboard -------------------------------------------------------------

export type ServiceState = 'running' | 'stopped' | 'failed' | 'not-installed' | 'unknown';

export interface ServiceInfo {
  name: string;
  unit: string;
  package: string;
  version: string | null;
  state: ServiceState;
}

export interface DiskInfo {
  mount: string;
  /** Bytes. */
  total: number;
  used: number;
  free: number;
}

export interface MemoryInfo {
  /** Bytes. */
  total: number;
  available: number;
  swap_total: number;
  swap_free: number;
}

export interface OsInfo {
  id: string;
  version_id: string;
  pretty_name: string;
}

export interface SystemInfo {
  hostname: string;
  os: OsInfo;
  kernel: string;
  uptime_seconds: number;
  load: [number, number, number];
  memory: MemoryInfo;
  disks: DiskInfo[];
  services: ServiceInfo[];
  daemon_version: string;
}

/** One message of the /ws/dashboard WebSocket. */
export interface SystemMessage {
  type: 'system';
  system: SystemInfo;
}

export interface DashboardProps {
  system: SystemInfo | null;
  daemon_error: string | null;
  counts: { accounts: number; suspended: number; resellers: number };
}

// --- Hosting accounts --------------------------------------------------------

export type AccountState = 'active' | 'suspended';

export interface Account {
  name: string;
  email: string;
  state: AccountState;
  reseller: string | null;
  /** ISO 8601. */
  created_at: string;
}

export interface AccountDetail extends Account {
  uid: number | null;
  home: string | null;
  shell: string | null;
}

export interface AccountsIndexProps {
  accounts: SearchPage<Account>;
  can_create: boolean;
  /** Non-empty only for admins: the owners an account can be given. */
  resellers: { username: string }[];
}

export interface AccountsShowProps {
  account: AccountDetail;
}

// --- Resellers ---------------------------------------------------------------

export interface Reseller {
  username: string;
  email: string;
  /** null: no limit. */
  max_accounts: number | null;
  accounts: number;
}

export interface ResellersIndexProps {
  resellers: Reseller[];
}

// --- API tokens --------------------------------------------------------------

export interface ApiToken {
  id: string;
  name: string;
  read_only: boolean;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked: boolean;
}

export interface TokensIndexProps {
  tokens: ApiToken[];
  /** The plaintext of the token just created; sent once, never again. */
  new_token: string | null;
}

// --- Audit log ---------------------------------------------------------------

export interface AuditEvent {
  time: string;
  actor: string | null;
  ip: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface AuditIndexProps {
  events: {
    items: AuditEvent[];
    page: number;
    pages: number;
    /** The current filter; empty for all actions. */
    action: string;
  };
}

// --- Profile / security --------------------------------------------------------

export interface TwoFactorSetup {
  secret: string;
  otpauth_uri: string;
  /** Server-generated SVG of the otpauth URI as a QR code. */
  qr_svg: string;
}

export interface ProfileSecurityProps {
  two_factor: { enabled: boolean; recovery_codes_left: number };
  setup: TwoFactorSetup | null;
  /** Shown once, right after 2FA was enabled. */
  recovery_codes: string[] | null;
}

// --- Background jobs -----------------------------------------------------------

export type JobStatus = 'ready' | 'running' | 'successful' | 'failed';

export interface Job {
  id: string;
  name: string;
  status: JobStatus;
  /** 0–100, or null when the job cannot tell. */
  progress: number | null;
  result: string | null;
  error: string | null;
}

export interface AuthResetProps {
  /** False when the link has expired, was used, or was never valid. */
  valid: boolean;
}

export interface JobsShowProps {
  job: Job;
}

// --- Web sites -----------------------------------------------------------------

export interface Site {
  /** A-label (punycode) form. */
  domain: string;
  /** For people: Unicode where the domain has punycode labels. */
  display_domain: string;
  /** A-label form, sorted. */
  aliases: string[];
  /** For people, in the order of aliases. */
  display_aliases: string[];
  redirect_aliases: boolean;
  account: string;
  /** null: a static site. */
  php: string | null;
  /** As set, relative to the account's home; null: the default. */
  docroot: string | null;
  /** Absolute, as the daemon made it. */
  document_root: string;
  state: AccountState;
  /** Whether it answers with the suspension page (it or its account is suspended). */
  suspended: boolean;
  created_at: string;
}

export interface PhpLimits {
  max_children: number;
  memory_limit_mb: number;
  max_execution_time: number;
  upload_max_mb: number;
}

export interface SiteDetail extends Site {
  limits: PhpLimits;
}

/** The installed PHP-FPM versions; null when the daemon could not say. */
export type PhpChoices = { versions: string[]; default: string | null } | null;

export interface SitesIndexProps {
  sites: SearchPage<Site>;
  /** The accounts the user may create sites in. */
  accounts: string[];
  can_create: boolean;
  php: PhpChoices;
}

export interface SitesShowProps {
  site: SiteDetail;
  logs: { access: string[]; error: string[] };
  /** Why the logs could not be read, if they could not. */
  logs_error: string | null;
  php: PhpChoices;
  can_suspend: boolean;
}

// --- DNS -----------------------------------------------------------------------

export interface Zone {
  /** A-label (punycode) form, no trailing dot. */
  name: string;
  /** For people: Unicode where the name has punycode labels. */
  display_name: string;
  /** null: an administrators' zone. */
  account: string | null;
  serial: number;
  /** Records in PowerDNS, the SOA included. */
  records: number;
  /** Signed with DNSSEC. */
  secured: boolean;
  /** The zone's own secondary servers (addresses). */
  secondaries: string[];
  created_at: string;
}

export interface DnsRecord {
  id: number;
  /** Relative to the zone ('@' the apex). */
  name: string;
  fqdn: string;
  type: string;
  /** Master-file syntax; MX and SRV with their priority in front. */
  content: string;
  ttl: number;
  /** The SOA: shown, kept by the panel. */
  managed: boolean;
}

export interface DnssecKey {
  id: number;
  /** "csk", "ksk" or "zsk". */
  kind: string;
  algorithm: string;
  bits: number;
  dnskey: string;
  /** The DS records for the registrar; none for a ZSK. */
  ds: string[];
  active: boolean;
  published: boolean;
}

export interface TemplateChoice {
  name: string;
  description: string;
  is_default: boolean;
}

export interface DnsIndexProps {
  zones: SearchPage<Zone>;
  /** The accounts the user may create zones in. */
  accounts: string[];
  can_create: boolean;
  /** The templates to choose from; empty: the default one is used. */
  templates: TemplateChoice[];
}

export interface DnsShowProps {
  zone: Zone;
  records: SearchPage<DnsRecord>;
  /** The types a record may have (the SOA is the panel's). */
  record_types: string[];
  /** The TTL of a record added without one. */
  default_ttl: number;
  /** The keys of a signed zone; null when it is not signed (or they could not be read). */
  dnssec: { secured: boolean; keys: DnssecKey[] } | null;
  /** Why the keys could not be read, if they could not. */
  dnssec_error: string | null;
  secondaries: { own: string[]; server: string[] };
}

/** One record of a template: name and content may hold {zone}, {ipv4}, {ipv6}, {ns}. */
export interface TemplateRecord {
  name: string;
  type: string;
  content: string;
  /** null: the default TTL. */
  ttl: number | null;
}

export interface ZoneTemplate {
  name: string;
  description: string;
  records: TemplateRecord[];
  is_default: boolean;
  updated_at: string;
}

export interface DnsSettings {
  /** Empty: this machine's name is the zones' name server. */
  nameservers: string[];
  soa_contact: string;
  ipv4: string;
  ipv6: string;
  ttl: number;
  soa_refresh: number;
  soa_retry: number;
  soa_expire: number;
  soa_minimum: number;
  secondaries: string[];
}

export interface DnsSettingsProps {
  settings: DnsSettings;
  templates: ZoneTemplate[];
  record_types: string[];
}
