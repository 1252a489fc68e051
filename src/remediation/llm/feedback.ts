/**
 * The text of the tool-result turns that send a failure back to the model. Gate messages come
 * from TerraFix's own checks; each is capped so one huge diagnostic cannot crowd out the rest.
 */
const MAX_PROBLEM_CHARS = 1500;
const MAX_PROBLEMS = 15;

export function feedbackText(round: number, maxRounds: number, problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `- ${cap(p)}`);
  const more = problems.length > MAX_PROBLEMS ? [`- … and ${problems.length - MAX_PROBLEMS} more`] : [];
  const left = maxRounds - round;
  return [
    `Your proposal was rejected (attempt ${round} of ${maxRounds}; ${left} left). Problems found:`,
    ...shown,
    ...more,
    "",
    "Call submit_terraform_fix again with the complete corrected set of edits. Edits apply to the ORIGINAL files from the first message, not to your previous attempt.",
  ].join("\n");
}

export function schemaFeedbackText(issues: string): string {
  return [
    "Your tool input does not match the submit_terraform_fix schema:",
    issues,
    "",
    "Call submit_terraform_fix again with input that matches the schema exactly.",
  ].join("\n");
}

function cap(text: string): string {
  return text.length <= MAX_PROBLEM_CHARS ? text : `${text.slice(0, MAX_PROBLEM_CHARS)}… [truncated]`;
}
