/**
 * The roles a person or system can hold, for API keys and web logins alike: admin (everything), viewer
 * (read), vendor (read, limited to the service classes it owns). A leaf module — it imports nothing — so
 * the store seams, the route guards and the CLI can all name a role without depending on one another.
 */
export const ROLES = ['admin', 'viewer', 'vendor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling with what rights, once a key or a session has been checked. */
export interface ApiPrincipal {
  id: number;
  name: string;
  role: Role;
  /** Vendors: the service classes it may see; undefined = all. */
  services?: string[];
}
