import { defaultOrientationEn } from './default-orientation-en.js';
import { defaultOrientationHi } from './default-orientation-hi.js';
import type { Orientation } from './types.js';

/** The languages the shipped orientation is written in. */
export type OrientationLanguage = 'en' | 'hi';

/**
 * The shipped orientation (a travel-planning assistant as the orthogonal example) in `language`,
 * English for any other. Every language has the same ids and correct answers, so an attempt
 * scores the same whichever language the participant read it in.
 */
export function defaultOrientation(language: string): Orientation {
  return language === 'hi' ? defaultOrientationHi : defaultOrientationEn;
}
