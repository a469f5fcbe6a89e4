-- The sandbox controls (/v1/sandbox/*) now need the scope `sandbox:manage`; before, any key
-- could use them. A key that held every scope there was (the bootstrap key that the console
-- keeps as its management key, BOTBAT_SANDBOX_ADMIN_KEY, or a key made with every box ticked)
-- was an admin key, so it gains the new scope and keeps managing the whole sandbox. Every
-- other key loses access to the controls, which is the point of the change.

UPDATE api_keys
SET scopes = json_insert(scopes, '$[#]', 'sandbox:manage')
WHERE json_valid(scopes)
  AND NOT EXISTS (SELECT 1 FROM json_each(api_keys.scopes) WHERE value = 'sandbox:manage')
  AND (
    SELECT COUNT(DISTINCT value) FROM json_each(api_keys.scopes)
    WHERE value IN (
      'contacts:read', 'contacts:write', 'messages:read', 'messages:send',
      'campaigns:read', 'campaigns:write', 'conversations:read', 'conversations:write',
      'templates:read', 'templates:write', 'webhooks:read', 'webhooks:manage',
      'usage:read', 'keys:manage'
    )
  ) = 14;
