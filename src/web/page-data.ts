import type { Locale, Messages } from "./i18n/catalogue";

/** What every island reads from its page: its language, its words, and which registry it talks to. */
export interface PageData {
  locale: Locale;
  messages: Messages;
  registry: { name: string; public_key: string };
}
