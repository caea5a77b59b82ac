DROP INDEX `url_rules_host`;--> statement-breakpoint
CREATE INDEX `url_rules_host` ON `url_rules` (`host`,`kind`,`key`);