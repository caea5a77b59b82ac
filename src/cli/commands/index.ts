/** Every optout command, in the order `optout --help` lists them. A command is its file's default export. */
export const COMMANDS = [
  (await import("./keygen")).default,
  (await import("./declare")).default,
  (await import("./update")).default,
  (await import("./revoke")).default,
  (await import("./resolve")).default,
  (await import("./lookup")).default,
  (await import("./match")).default,
  (await import("./scan")).default,
  (await import("./import")).default,
  (await import("./verify")).default,
  (await import("./audit")).default,
  (await import("./watch")).default,
  (await import("./check")).default,
  (await import("./publish")).default,
  (await import("./observe")).default,
  (await import("./info")).default,
];
