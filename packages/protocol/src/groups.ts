import { type Static, Type } from '@sinclair/typebox';
import { Id, ShortText, Timestamp } from './common.js';
import { StudyLanguage } from './studies.js';

/** `POST /api/studies/:studyId/groups` body. */
export const CreateGroupBody = Type.Object({ name: ShortText(200) });
/** Create-group body. */
export type CreateGroupBody = Static<typeof CreateGroupBody>;

/** A group as members see it. */
export const Group = Type.Object({
  id: Id,
  studyId: Id,
  name: Type.String(),
  createdAt: Timestamp,
});
/** Group. */
export type Group = Static<typeof Group>;

/**
 * `POST /api/studies/:studyId/groups` response. The tokens are shown this once: only their
 * hashes are stored.
 */
export const CreatedGroup = Type.Object({
  id: Id,
  studyId: Id,
  name: Type.String(),
  inviteCode: Type.String(),
  moderatorToken: Type.String(),
  analystToken: Type.String(),
  createdAt: Timestamp,
});
/** Created group with its one-time credentials. */
export type CreatedGroup = Static<typeof CreatedGroup>;

/** A group as the admin sees it in listings (invite code included, tokens never). */
export const GroupWithInvite = Type.Composite([Group, Type.Object({ inviteCode: Type.String() })]);
/** Group with invite code. */
export type GroupWithInvite = Static<typeof GroupWithInvite>;

/** `GET /api/studies/:studyId/groups`. */
export const GroupList = Type.Object({ groups: Type.Array(GroupWithInvite) });
/** Group list. */
export type GroupList = Static<typeof GroupList>;

/**
 * `POST /api/join` body. `consent` must be exactly `true`. `deviceKey` is a random string the
 * browser keeps per invite: joining again with it resumes the participant it made (200).
 */
export const JoinBody = Type.Object({
  inviteCode: Type.String({ minLength: 1, maxLength: 64 }),
  displayName: ShortText(80),
  consent: Type.Boolean(),
  deviceKey: Type.Optional(Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
});
/** Join body. */
export type JoinBody = Static<typeof JoinBody>;

/** `POST /api/join` response; `resumed` when this device's participant got a new token (200). */
export const JoinResponse = Type.Object({
  participantId: Id,
  groupId: Id,
  token: Type.String(),
  resumed: Type.Optional(Type.Boolean()),
});
/** Join response. */
export type JoinResponse = Static<typeof JoinResponse>;

/** A participant as group members see them. */
export const Participant = Type.Object({
  id: Id,
  groupId: Id,
  displayName: Type.String(),
  joinedAt: Timestamp,
});
/** Participant. */
export type Participant = Static<typeof Participant>;

/** `GET /api/groups/:groupId/participants`. */
export const ParticipantList = Type.Object({ participants: Type.Array(Participant) });
/** Participant list. */
export type ParticipantList = Static<typeof ParticipantList>;

/** `GET /api/me`: what the presented token grants. */
export const Me = Type.Object({
  role: Type.Union([
    Type.Literal('admin'),
    Type.Literal('moderator'),
    Type.Literal('analyst'),
    Type.Literal('participant'),
  ]),
  groupId: Type.Union([Id, Type.Null()]),
  participantId: Type.Union([Id, Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  /** The study's default language (null for the admin, who belongs to no study). */
  language: Type.Optional(Type.Union([StudyLanguage, Type.Null()])),
});
/** Me. */
export type Me = Static<typeof Me>;

/** `GET /api/invites/:inviteCode` (public): what an invite opens, before anyone joins. */
export const InviteInfo = Type.Object({
  groupName: Type.String(),
  studyTitle: Type.String(),
  language: StudyLanguage,
});
/** Invite info. */
export type InviteInfo = Static<typeof InviteInfo>;

/** `PATCH /api/groups/:groupId/participants/:participantId` body (moderator): a rename. */
export const RenameParticipantBody = Type.Object({ displayName: ShortText(80) });
/** Rename body. */
export type RenameParticipantBody = Static<typeof RenameParticipantBody>;

/**
 * `POST /api/groups/:groupId/participants/:participantId/merge` body (moderator): the participant
 * in the path is a duplicate of `into`, and everything of theirs moves there.
 */
export const MergeParticipantBody = Type.Object({ into: Id });
/** Merge body. */
export type MergeParticipantBody = Static<typeof MergeParticipantBody>;
