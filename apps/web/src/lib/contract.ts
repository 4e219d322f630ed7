/**
 * The contract's types as the web app reads them, taken from `@calma/protocol` so that server and
 * client cannot drift. Type-only imports: no TypeBox code reaches the browser bundle.
 */
export type {
  ErrorBody,
  GroupWithInvite as Group,
  HealthResponse as Health,
  JoinBody as JoinRequest,
  JoinResponse,
  Me,
  Role,
} from '@calma/protocol';
