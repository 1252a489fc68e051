export { createFileSource, type FileSourceOptions } from "./file-source.js";
export { FailureFileSchema, FileTestSchema, FileEntitySchema } from "./schema.js";
