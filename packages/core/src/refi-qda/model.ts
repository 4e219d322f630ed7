/**
 * The part of a REFI-QDA project (QDA-XML 1.0, `project.qde`) that Calma reads and writes: users,
 * a code tree, text sources with plain-text selections and codings, text variables and notes.
 * GUIDs are plain strings in the 8-4-4-4-12 form the schema asks for.
 */

/** A person who coded (`<User>`). */
export interface QdaUser {
  guid: string;
  name: string;
}

/** A code of the codebook, with its sub-codes (`<Code>`). */
export interface QdaCode {
  guid: string;
  name: string;
  isCodable: boolean;
  description?: string | undefined;
  noteGuids: string[];
  children: QdaCode[];
}

/** A coding: a code applied to a selection or to a whole source (`<Coding>`). */
export interface QdaCoding {
  guid: string;
  codeGuid: string;
  creatingUser?: string | undefined;
  creationDateTime?: string | undefined;
  noteGuids: string[];
}

/** A coded stretch of a text source in character positions, end exclusive (`<PlainTextSelection>`). */
export interface QdaSelection {
  guid: string;
  name?: string | undefined;
  start: number;
  end: number;
  creatingUser?: string | undefined;
  creationDateTime?: string | undefined;
  codings: QdaCoding[];
}

/** A variable (`<Variable>`); Calma uses text and boolean ones. */
export interface QdaVariable {
  guid: string;
  name: string;
  type: 'Text' | 'Boolean';
}

/** A value of a variable on a source. */
export interface QdaVariableValue {
  variableGuid: string;
  value: string | boolean;
}

/**
 * A text source (`<TextSource>`). Its text is either inline (`plainTextContent`) or a file of the
 * archive named by `plainTextPath` (`internal://name.txt` = `sources/name.txt`).
 */
export interface QdaTextSource {
  guid: string;
  name: string;
  plainTextPath?: string | undefined;
  plainTextContent?: string | undefined;
  creatingUser?: string | undefined;
  creationDateTime?: string | undefined;
  selections: QdaSelection[];
  codings: QdaCoding[];
  variables: QdaVariableValue[];
}

/** A note (`<Note>`), written inline. */
export interface QdaNote {
  guid: string;
  name?: string | undefined;
  text: string;
  creatingUser?: string | undefined;
  creationDateTime?: string | undefined;
}

/** A whole project. */
export interface QdaProject {
  name: string;
  origin?: string | undefined;
  creationDateTime?: string | undefined;
  users: QdaUser[];
  codes: QdaCode[];
  variables: QdaVariable[];
  sources: QdaTextSource[];
  notes: QdaNote[];
}

/** Why a project could not be read; the message names what is wrong. */
export class QdaFormatError extends Error {
  override readonly name = 'QdaFormatError';
}
