// A stub: the page's strings in English. The translation helper's i18n.js replaces it.
export function _(s) {
  return s;
}
