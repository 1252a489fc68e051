import { z } from "zod";
import { FileEntitySchema, VantaTestSchema } from "../vanta/schema.js";

/**
 * A JSON file of failing tests in Vanta's own shapes (docs/file-source.md): each Vanta Test
 * object carries an `entities` array of Vanta TestEntity objects, which may add `arn`,
 * `account`, `region` and `tags` (Vanta itself never gives those). Validated with the same
 * schemas as the API; unknown fields are ignored, so a scenario file of the fake Vanta server
 * is a valid input too.
 */
export const FileTestSchema = VantaTestSchema.extend({
  entities: z.array(z.unknown()).default([]),
});
export type FileTestSchema = z.infer<typeof FileTestSchema>;

export const FailureFileSchema = z.object({
  tests: z.array(z.unknown()),
});
export type FailureFileSchema = z.infer<typeof FailureFileSchema>;

export { FileEntitySchema };
