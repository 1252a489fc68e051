import { z } from "zod";

/**
 * The part of a Converse response TerraFix reads. The SDK already deserialised it; this checks the
 * shape we rely on (one `message` with content blocks, usage numbers) instead of trusting it.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
 */
export const ConverseOutput = z.object({
  output: z.object({
    message: z.object({
      role: z.string(),
      content: z.array(
        z.looseObject({
          text: z.string().optional(),
          toolUse: z.object({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
          // Thinking models: `reasoningText {text, signature}` or `redactedContent` (bytes); replayed unchanged.
          reasoningContent: z.looseObject({}).optional(),
        }),
      ),
    }),
  }),
  stopReason: z.string(),
  usage: z.object({
    inputTokens: z.number(),
    outputTokens: z.number(),
    cacheReadInputTokens: z.number().optional(),
    cacheWriteInputTokens: z.number().optional(),
  }),
});
export type ConverseOutput = z.infer<typeof ConverseOutput>;
