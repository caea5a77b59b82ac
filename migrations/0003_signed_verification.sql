-- A controller counts as verified only when the receipt says so (src/domain/controller-verification.ts).
-- Rows stored before receipts carried the signed verification were verified by resolving the DID,
-- which a peer cannot repeat: they become unverified, as a peer receiving them now would see them.
UPDATE `declarations` SET `controller_verified` = 0
WHERE `controller_verified` = 1 AND json_extract(`receipt`, '$.verification.verified') IS NOT 1;
--> statement-breakpoint
UPDATE `url_rules` SET `verification` = 'self-asserted'
WHERE `verification` = 'domain-verified' AND `seq` IN (SELECT `seq` FROM `declarations` WHERE `controller_verified` = 0);
