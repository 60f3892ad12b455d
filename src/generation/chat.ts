/**
 * Chat prompts: renders a list of messages with the model's chat template
 * (the Jinja `chat_template` of tokenizer_config.json, as Hugging Face
 * `apply_chat_template` does) through `@huggingface/jinja`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { InvalidArgumentError, ModelLoadError } from '../errors.js';

/** One chat message. */
export interface ChatMessage {
  /** `system`, `user`, `assistant` (or whatever the template knows). */
  role: string;
  /** The message text. */
  content: string;
}

/** What a chat template needs from tokenizer_config.json. */
export interface ChatTemplateConfig {
  /** The Jinja template, or null when the model has none. */
  template: string | null;
  /** BOS token text (`bos_token`), '' when absent. */
  bosToken: string;
  /** EOS token text (`eos_token`), '' when absent. */
  eosToken: string;
  /** Whether a plain (non-chat) prompt gets BOS added (`add_bos_token`, default true). */
  addBosToken: boolean;
}

/** A special-token entry of tokenizer_config.json: a string or `{content}`. */
function tokenText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return '';
}

/**
 * Reads the chat template and special-token texts from `dir`/tokenizer_config.json.
 * A missing file gives a config without template; an unreadable one a `ModelLoadError`.
 * A list of named templates (`[{name, template}]`) yields the one named `default`.
 */
export function readChatTemplateConfig(dir: string): ChatTemplateConfig {
  const file = join(dir, 'tokenizer_config.json');
  if (!existsSync(file)) return { template: null, bosToken: '', eosToken: '', addBosToken: true };
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelLoadError(file, `not valid JSON: ${(e as Error).message}`);
  }
  let template: string | null = null;
  const t = cfg.chat_template;
  if (typeof t === 'string') template = t;
  else if (Array.isArray(t)) {
    const named = t as Array<{ name?: unknown; template?: unknown }>;
    const pick = named.find((x) => x.name === 'default') ?? named[0];
    if (pick && typeof pick.template === 'string') template = pick.template;
  }
  return { template, bosToken: tokenText(cfg.bos_token), eosToken: tokenText(cfg.eos_token), addBosToken: cfg.add_bos_token !== false };
}

/** Checks a message list; throws `InvalidArgumentError` naming the bad entry. */
export function checkMessages(messages: unknown): asserts messages is ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidArgumentError('messages must be a non-empty array of {role, content}');
  messages.forEach((m, i) => {
    const r = m as Partial<ChatMessage> | null;
    if (!r || typeof r.role !== 'string' || typeof r.content !== 'string') {
      throw new InvalidArgumentError(`messages[${i}] must be {role: string, content: string}`);
    }
  });
}

/**
 * Renders `messages` with the template (`add_generation_prompt` true, so the
 * text ends where the assistant's answer starts). Throws
 * `InvalidArgumentError` when there is no template or it fails (the
 * template's own `raise_exception` message is passed on).
 */
export function renderChat(config: ChatTemplateConfig, messages: readonly ChatMessage[], where = 'tokenizer_config.json'): string {
  checkMessages(messages);
  if (config.template === null) {
    throw new InvalidArgumentError(`the model has no chat_template in ${where}: give a plain prompt, or a template (chatTemplate / --chat-template)`);
  }
  let tpl: Template;
  try {
    tpl = new Template(config.template);
  } catch (e) {
    throw new InvalidArgumentError(`chat template does not parse: ${(e as Error).message}`);
  }
  try {
    return tpl.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      bos_token: config.bosToken,
      eos_token: config.eosToken,
      add_generation_prompt: true,
    });
  } catch (e) {
    throw new InvalidArgumentError(`chat template failed: ${(e as Error).message}`);
  }
}
