DROP INDEX `iscc_units_body`;--> statement-breakpoint
DROP INDEX `declarations_also_by`;--> statement-breakpoint
DROP INDEX `declarations_controller`;--> statement-breakpoint
DROP INDEX `declarations_supersedes`;--> statement-breakpoint
CREATE INDEX `declarations_also_by` ON `declarations` (`also_by`,`kind`) WHERE also_by IS NOT NULL;--> statement-breakpoint
CREATE INDEX `declarations_controller` ON `declarations` (`controller`) WHERE controller IS NOT NULL;--> statement-breakpoint
CREATE INDEX `declarations_supersedes` ON `declarations` (`supersedes`) WHERE supersedes IS NOT NULL;