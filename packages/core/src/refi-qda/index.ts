/** REFI-QDA (QDA-XML 1.0) projects: the model, `project.qde` read and written, `.qdpx` archives, Calma ↔ project. */
export * from './calma.js';
export * from './limits.js';
export * from './model.js';
export * from './uuid.js';
export * from './xml-read.js';
export * from './xml-write.js';
export * from './zip.js';
