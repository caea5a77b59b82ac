CREATE TABLE `index_snapshots` (
	`kind` text NOT NULL,
	`version` integer NOT NULL,
	`build` text NOT NULL,
	`part` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`kind`, `version`, `build`, `part`)
);
