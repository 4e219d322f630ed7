/**
 * The contract's types as the web app reads them, taken from `@calma/protocol` so that server and
 * client cannot drift. Type-only imports: no TypeBox code reaches the browser bundle.
 */
export type {
  AffinityMapResponse,
  Analysis,
  ClientToServerEvents,
  ControlBody,
  ErrorBody,
  FinalAttribute,
  FinalAttributesResponse,
  GroupSummary,
  GroupWithInvite as Group,
  HealthResponse as Health,
  InteractionList,
  InviteInfo,
  JoinBody as JoinRequest,
  JoinResponse,
  LabelList,
  MapProgress,
  MappingResponse,
  Me,
  ParticipantList,
  Role,
  Segment1Attribute,
  SegmentNumber,
  ServerToClientEvents,
  Session,
  SessionList,
  SessionState,
  Submissions,
} from '@calma/protocol';
