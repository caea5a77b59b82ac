CREATE TABLE `observations` (
	`seq` integer PRIMARY KEY NOT NULL,
	`digest` text NOT NULL,
	`host` text NOT NULL,
	`url` text NOT NULL,
	`observed_at` text NOT NULL,
	`body` text NOT NULL,
	`receipt` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `observations_digest` ON `observations` (`digest`);--> statement-breakpoint
CREATE INDEX `observations_host` ON `observations` (`host`,`seq`);