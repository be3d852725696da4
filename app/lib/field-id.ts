/** The id of a form field's input from its name (labels, error links and scripts find the field by it). */
export function fieldId(name: string) {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}
