/**
 * The AI crawler tokens of ai-agents.json, as a module (the build compiles TypeScript only). The JSON
 * file is the data to edit; ai-agents.test.ts fails when this copy differs from it.
 *
 * Token names and operators come from the MIT-licensed ai.robots.txt list (see `sources`):
 * MIT License, Copyright (c) 2024 ai.robots.txt. Permission is hereby granted, free of charge, to any
 * person obtaining a copy of this software and associated documentation files (the "Software"), to
 * deal in the Software without restriction, including without limitation the rights to use, copy,
 * modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
 * persons to whom the Software is furnished to do so, subject to the following conditions: The above
 * copyright notice and this permission notice shall be included in all copies or substantial
 * portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
 * OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
 * PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
 * LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
 * OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
 * THE SOFTWARE.
 */

/** How an operator uses what its crawler (or control token) fetches. */
export type AgentUse = 'training' | 'dataset' | 'ai-other';

export interface AiAgent {
  token: string;
  operator: string;
  use: AgentUse;
  /** Where the token and its use are documented. */
  source: string;
  /** When this entry was compiled from its source. */
  asOf: string;
}

export interface AiAgentList {
  description: string;
  version: string;
  sources: Record<string, { url: string; licence: string; copyright: string; note: string }>;
  agents: AiAgent[];
}

export const AI_AGENTS: AiAgentList = {
  "description": "Product tokens of crawlers and control tokens used for AI, read by the robots-txt detector. use: 'training' (the operator uses what it fetches to train AI models), 'dataset' (it builds datasets that are used to train AI models), 'ai-other' (AI search, assistants or agents: not documented as training). A robots.txt group that disallows a training or dataset token reserves the path; one that disallows only ai-other tokens leaves it unknown.",
  "version": "2026-11-21",
  "sources": {
    "ai.robots.txt": {
      "url": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "licence": "MIT",
      "copyright": "Copyright (c) 2024 ai.robots.txt",
      "note": "token names, operators and functions as listed there; the use column is Clearance's own classification of each function"
    }
  },
  "agents": [
    {
      "token": "GPTBot",
      "operator": "OpenAI",
      "use": "training",
      "source": "https://platform.openai.com/docs/bots",
      "asOf": "2026-11-21"
    },
    {
      "token": "ClaudeBot",
      "operator": "Anthropic",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "anthropic-ai",
      "operator": "Anthropic",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Google-Extended",
      "operator": "Google",
      "use": "training",
      "source": "https://developers.google.com/search/docs/crawling-indexing/google-common-crawlers",
      "asOf": "2026-11-21"
    },
    {
      "token": "Applebot-Extended",
      "operator": "Apple",
      "use": "training",
      "source": "https://support.apple.com/en-us/119829",
      "asOf": "2026-11-21"
    },
    {
      "token": "CCBot",
      "operator": "Common Crawl Foundation",
      "use": "dataset",
      "source": "https://commoncrawl.org/ccbot",
      "asOf": "2026-11-21"
    },
    {
      "token": "Bytespider",
      "operator": "ByteDance",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Meta-ExternalAgent",
      "operator": "Meta",
      "use": "training",
      "source": "https://developers.facebook.com/docs/sharing/webmasters/web-crawlers",
      "asOf": "2026-11-21"
    },
    {
      "token": "FacebookBot",
      "operator": "Meta",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "cohere-training-data-crawler",
      "operator": "Cohere",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "img2dataset",
      "operator": "img2dataset (dataset download tool)",
      "use": "dataset",
      "source": "https://github.com/rom1504/img2dataset",
      "asOf": "2026-11-21"
    },
    {
      "token": "AI2Bot",
      "operator": "Ai2",
      "use": "training",
      "source": "https://allenai.org/crawler",
      "asOf": "2026-11-21"
    },
    {
      "token": "Ai2Bot-Dolma",
      "operator": "Ai2",
      "use": "training",
      "source": "https://allenai.org/crawler",
      "asOf": "2026-11-21"
    },
    {
      "token": "DeepSeekBot",
      "operator": "DeepSeek",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "TikTokSpider",
      "operator": "ByteDance",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Timpibot",
      "operator": "Timpi",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "YandexAdditional",
      "operator": "Yandex",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "YandexAdditionalBot",
      "operator": "Yandex",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Webzio-Extended",
      "operator": "Webz.io",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "omgili",
      "operator": "Webz.io",
      "use": "dataset",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "omgilibot",
      "operator": "Webz.io",
      "use": "dataset",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "LAIONDownloader",
      "operator": "LAION",
      "use": "dataset",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "laion-huggingface-processor",
      "operator": "LAION",
      "use": "dataset",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "FriendlyCrawler",
      "operator": "unknown",
      "use": "dataset",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "ICC-Crawler",
      "operator": "NICT",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Cotoyogi",
      "operator": "ROIS",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Factset_spyderbot",
      "operator": "FactSet",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "ISSCyberRiskCrawler",
      "operator": "ISS Corporate",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "VelenPublicWebCrawler",
      "operator": "Velen",
      "use": "dataset",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "SBIntuitionsBot",
      "operator": "SB Intuitions",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "PanguBot",
      "operator": "Huawei",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Brightbot",
      "operator": "Bright Data",
      "use": "training",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "PerplexityBot",
      "operator": "Perplexity",
      "use": "ai-other",
      "source": "https://docs.perplexity.ai/guides/bots",
      "asOf": "2026-11-21"
    },
    {
      "token": "Perplexity-User",
      "operator": "Perplexity",
      "use": "ai-other",
      "source": "https://docs.perplexity.ai/guides/bots",
      "asOf": "2026-11-21"
    },
    {
      "token": "ChatGPT-User",
      "operator": "OpenAI",
      "use": "ai-other",
      "source": "https://platform.openai.com/docs/bots",
      "asOf": "2026-11-21"
    },
    {
      "token": "OAI-SearchBot",
      "operator": "OpenAI",
      "use": "ai-other",
      "source": "https://platform.openai.com/docs/bots",
      "asOf": "2026-11-21"
    },
    {
      "token": "Claude-User",
      "operator": "Anthropic",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Claude-SearchBot",
      "operator": "Anthropic",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Claude-Web",
      "operator": "Anthropic",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "cohere-ai",
      "operator": "Cohere",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Amazonbot",
      "operator": "Amazon",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Meta-ExternalFetcher",
      "operator": "Meta",
      "use": "ai-other",
      "source": "https://developers.facebook.com/docs/sharing/webmasters/web-crawlers",
      "asOf": "2026-11-21"
    },
    {
      "token": "MistralAI-User",
      "operator": "Mistral AI",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "DuckAssistBot",
      "operator": "DuckDuckGo",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "YouBot",
      "operator": "You.com",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "PhindBot",
      "operator": "Phind",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Google-CloudVertexBot",
      "operator": "Google",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    },
    {
      "token": "Diffbot",
      "operator": "Diffbot",
      "use": "ai-other",
      "source": "https://github.com/ai-robots-txt/ai.robots.txt/blob/738c80df2169027ce0e07c9976fd3f2f57dd8f7b/robots.json",
      "asOf": "2026-11-21"
    }
  ]
};
