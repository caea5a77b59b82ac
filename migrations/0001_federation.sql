CREATE TABLE `peers` (
	`name` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`public_key` text NOT NULL,
	`added_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`peer` text NOT NULL,
	`webhook_id` text NOT NULL,
	`received_at` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_peer_id` ON `webhook_deliveries` (`peer`,`webhook_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_expires` ON `webhook_deliveries` (`expires_at`);--> statement-breakpoint
ALTER TABLE `declarations` ADD `received_from` text;