// The calls the panels make for a Botbiz or Botmaker connection's webhooks and WhatsApp
// accounts. Each names the connection it is for, so an answer for one connection is never
// taken for another's.

import { call } from "./backend";
import type { BotbizAccount } from "./bindings/BotbizAccount";
import type { BotbizQrCode } from "./bindings/BotbizQrCode";
import type { BotmakerWebhookChoices } from "./bindings/BotmakerWebhookChoices";
import type { BotmakerWebhookInput } from "./bindings/BotmakerWebhookInput";
import type { BotmakerWebhookRow } from "./bindings/BotmakerWebhookRow";
import type { KeptWebhookSecret } from "./bindings/KeptWebhookSecret";

/** The channels (GET /channels) and message types a Botmaker webhook chooses from. */
export function botmakerWebhookChoices(connectionId: string): Promise<BotmakerWebhookChoices> {
  return call("botmaker_webhook_choices", { connectionId });
}

export function listBotmakerWebhooks(connectionId: string): Promise<BotmakerWebhookRow[]> {
  return call("list_botmaker_webhooks", { connectionId });
}

/** Its security token (made by the console when the input has none) is kept in the keychain. */
export function createBotmakerWebhook(connectionId: string, input: BotmakerWebhookInput): Promise<BotmakerWebhookRow> {
  return call("create_botmaker_webhook", { connectionId, input });
}

export function updateBotmakerWebhook(
  connectionId: string,
  webhookId: string,
  input: BotmakerWebhookInput,
): Promise<BotmakerWebhookRow> {
  return call("update_botmaker_webhook", { connectionId, webhookId, input });
}

export function deleteBotmakerWebhook(connectionId: string, webhookId: string): Promise<void> {
  return call("delete_botmaker_webhook", { connectionId, webhookId });
}

export function connectionWebhookSecret(connectionId: string): Promise<KeptWebhookSecret> {
  return call("connection_webhook_secret", { connectionId });
}

/** Keeps the secret in the keychain for the Inspector; an empty one forgets it. */
export function setWebhookSecret(connectionId: string, secret: string): Promise<KeptWebhookSecret> {
  return call("set_webhook_secret", { connectionId, secret });
}

export function listBotbizAccounts(connectionId: string): Promise<BotbizAccount[]> {
  return call("list_botbiz_accounts", { connectionId });
}

export function createBotbizAccount(connectionId: string, phoneNumber: string, name: string): Promise<BotbizAccount> {
  return call("create_botbiz_account", { connectionId, phoneNumber, name });
}

export function getBotbizAccount(connectionId: string, accountId: string): Promise<BotbizAccount> {
  return call("get_botbiz_account", { connectionId, accountId });
}

/** The QR code as a data: URL of the image, fetched by the backend with the connection's auth. */
export function botbizAccountQr(connectionId: string, accountId: string): Promise<BotbizQrCode> {
  return call("botbiz_account_qr", { connectionId, accountId });
}

/** The stand-in's sandbox control that plays the phone scanning the QR code. */
export function playBotbizScan(connectionId: string, accountId: string): Promise<BotbizAccount> {
  return call("play_botbiz_scan", { connectionId, accountId });
}
