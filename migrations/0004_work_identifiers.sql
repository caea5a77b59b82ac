CREATE TABLE `work_identifiers` (
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `work_identifiers_value` ON `work_identifiers` (`kind`,`value`);--> statement-breakpoint
CREATE INDEX `work_identifiers_seq` ON `work_identifiers` (`seq`);