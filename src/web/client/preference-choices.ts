/** Reads the vocabulary's choices (rendered by pages/parts.tsx PreferenceChoices) inside `root`. */
export function readPreferenceChoices(root: ParentNode): Record<string, "y" | "n"> {
  const prefs: Record<string, "y" | "n"> = {};
  for (const input of root.querySelectorAll<HTMLInputElement>("input[data-pref]:checked")) {
    if (input.value === "y" || input.value === "n") prefs[input.dataset.pref!] = input.value;
  }
  return prefs;
}
