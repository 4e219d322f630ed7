/** Who a token speaks for. Every role but `admin` is bound to one group. */
export const Role = {
  admin: 'admin',
  moderator: 'moderator',
  analyst: 'analyst',
  participant: 'participant',
} as const;
/** One of the {@link Role} values. */
export type Role = (typeof Role)[keyof typeof Role];
