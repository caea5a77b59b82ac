/**
 * Looking words up in the catalogue, and formatting through Intl: the same code on the Worker and
 * in the browser, given the messages of one locale.
 */
import type { Locale, Message, MessageKey, Messages, Plural } from "./catalogue";

export type Vars = Record<string, string | number>;

export interface Translator {
  locale: Locale;
  /** The message for `key`, placeholders filled; a plural message is chosen by `vars.n`. */
  t(key: MessageKey, vars?: Vars): string;
  /** A vocabulary key's label (`pref.<key>`) or help (`pref.<key>.help`); a key the catalogue lacks is shown as itself. */
  pref(key: string, part?: "label" | "help"): string;
  /** A trust label the registry answers (`trust.<label>`); a label the catalogue lacks is shown as the registry spells it. */
  trust(label: string): string;
  number(n: number): string;
  /** A date and time in the reader's language (UTC, so every reader sees the registry's instant). */
  dateTime(iso: string): string;
  percent(fraction: number): string;
}

function fill(template: string, vars: Vars, format: (n: number) => string): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return v === undefined ? whole : typeof v === "number" ? format(v) : v;
  });
}

export function translator(locale: Locale, messages: Messages): Translator {
  const plural = new Intl.PluralRules(locale);
  const numbers = new Intl.NumberFormat(locale);
  const percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  const number = (n: number) => numbers.format(n);
  const pick = (m: Message, vars: Vars): string => {
    if (typeof m === "string") return m;
    const form = plural.select(Number(vars.n ?? 0)) as keyof Plural;
    return m[form] ?? m.other;
  };
  const lookup = (key: string): Message | undefined => (messages as Record<string, Message>)[key];
  return {
    locale,
    t: (key, vars = {}) => fill(pick(lookup(key) ?? key, vars), vars, number),
    pref: (key, part = "label") => {
      const m = lookup(part === "help" ? `pref.${key}.help` : `pref.${key}`);
      return typeof m === "string" ? m : part === "help" ? "" : key;
    },
    trust: (label) => {
      const m = lookup(`trust.${label}`);
      return typeof m === "string" ? m : label;
    },
    number,
    dateTime: (iso) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : `${dates.format(d)} UTC`;
    },
    percent: (f) => percents.format(f),
  };
}
