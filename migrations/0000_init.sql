CREATE TABLE `datahashes` (
	`seq` integer NOT NULL,
	`datahash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `datahashes_datahash` ON `datahashes` (`datahash`);--> statement-breakpoint
CREATE INDEX `datahashes_seq` ON `datahashes` (`seq`);--> statement-breakpoint
CREATE TABLE `declarations` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`digest` text NOT NULL,
	`hub_id` integer NOT NULL,
	`intent` text NOT NULL,
	`supersedes` text,
	`status` text NOT NULL,
	`declarant` text NOT NULL,
	`controller` text,
	`controller_verified` integer NOT NULL,
	`timestamp` text NOT NULL,
	`registered_at` text NOT NULL,
	`received_at` text NOT NULL,
	`origin` text NOT NULL,
	`preferences` text NOT NULL,
	`body` text NOT NULL,
	`receipt` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `declarations_id` ON `declarations` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `declarations_digest` ON `declarations` (`digest`);--> statement-breakpoint
CREATE INDEX `declarations_declarant` ON `declarations` (`declarant`,`seq`);--> statement-breakpoint
CREATE INDEX `declarations_supersedes` ON `declarations` (`supersedes`);--> statement-breakpoint
CREATE TABLE `iscc_units` (
	`seq` integer NOT NULL,
	`unit_type` text NOT NULL,
	`code` text NOT NULL,
	`body_hex` text NOT NULL,
	`b0` integer NOT NULL,
	`b1` integer NOT NULL,
	`b2` integer NOT NULL,
	`b3` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `iscc_units_b0` ON `iscc_units` (`unit_type`,`b0`);--> statement-breakpoint
CREATE INDEX `iscc_units_b1` ON `iscc_units` (`unit_type`,`b1`);--> statement-breakpoint
CREATE INDEX `iscc_units_b2` ON `iscc_units` (`unit_type`,`b2`);--> statement-breakpoint
CREATE INDEX `iscc_units_b3` ON `iscc_units` (`unit_type`,`b3`);--> statement-breakpoint
CREATE INDEX `iscc_units_body` ON `iscc_units` (`unit_type`,`body_hex`);--> statement-breakpoint
CREATE INDEX `iscc_units_seq` ON `iscc_units` (`seq`);--> statement-breakpoint
CREATE TABLE `url_rules` (
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`pattern` text NOT NULL,
	`host` text NOT NULL,
	`key` text NOT NULL,
	`verification` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `url_rules_key` ON `url_rules` (`key`);--> statement-breakpoint
CREATE INDEX `url_rules_host` ON `url_rules` (`host`,`kind`);--> statement-breakpoint
CREATE INDEX `url_rules_seq` ON `url_rules` (`seq`);