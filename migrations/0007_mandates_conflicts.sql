CREATE TABLE `conflict_parties` (
	`conflict` text NOT NULL,
	`party` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conflict_parties_party` ON `conflict_parties` (`party`,`conflict`);--> statement-breakpoint
CREATE INDEX `conflict_parties_conflict` ON `conflict_parties` (`conflict`);--> statement-breakpoint
CREATE TABLE `conflicts` (
	`n` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`claim` text NOT NULL,
	`counterpart` text NOT NULL,
	`matched` text NOT NULL,
	`found_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conflicts_id` ON `conflicts` (`id`);--> statement-breakpoint
CREATE INDEX `conflicts_claim` ON `conflicts` (`claim`);--> statement-breakpoint
CREATE INDEX `conflicts_counterpart` ON `conflicts` (`counterpart`);--> statement-breakpoint
CREATE TABLE `mandates` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`member` text NOT NULL,
	`agent` text NOT NULL,
	`scope` text NOT NULL,
	`valid_from` text NOT NULL,
	`valid_until` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mandates_id` ON `mandates` (`id`);--> statement-breakpoint
CREATE INDEX `mandates_member` ON `mandates` (`member`);--> statement-breakpoint
CREATE INDEX `mandates_agent` ON `mandates` (`agent`);--> statement-breakpoint
CREATE TABLE `registry_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `declarations` ADD `kind` text DEFAULT 'declaration' NOT NULL;--> statement-breakpoint
ALTER TABLE `declarations` ADD `also_by` text;--> statement-breakpoint
CREATE INDEX `declarations_also_by` ON `declarations` (`also_by`,`kind`);--> statement-breakpoint
CREATE INDEX `declarations_controller` ON `declarations` (`controller`);