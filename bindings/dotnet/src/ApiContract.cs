// What this client sends to the agent, method by method, and the check of that against the
// agent's OpenAPI 3.1 document (GET /v1/openapi.json). MedSignClient routes every typed call
// through Require(), so this table cannot claim less than the client really sends.
using System;
using System.Collections.Generic;

namespace MedSign
{
    public static class ApiContract
    {
        static readonly string[] SignCommon = { "certId", "wait", "app", "summary", "signMethod" };

        static string[] Sign(params string[] more)
        {
            var all = new List<string>(SignCommon);
            all.AddRange(more);
            return all.ToArray();
        }

        /// <summary>Each method this client calls, with every parameter it may send.</summary>
        public static readonly IDictionary<string, string[]> Methods = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            { "getVersion", new string[0] },
            { "getStatus", new[] { "operationId", "wait" } },
            { "genRandom", new[] { "length" } },
            { "setSignMethod", new[] { "method" } },
            { "getSignMethod", new string[0] },
            { "getUserList", new string[0] },
            { "exportUserCert", new[] { "certId" } },
            { "login", new[] { "employeeNo", "certId", "wait" } },
            { "logout", new[] { "certId" } },
            { "getCertInfo", new[] { "cert", "certId", "type" } },
            { "getCertInfoByOid", new[] { "cert", "certId", "oid" } },
            { "validateCert", new[] { "cert", "certId" } },
            { "verifySignedData", new[] { "cert", "certId", "data", "text", "signature", "signMethod" } },
            { "verifySignedFile", new[] { "cert", "certId", "path", "signature", "signMethod" } },
            { "verifySignedMessage", new[] { "signedMessage", "data", "text" } },
            { "getInfoFromSignedMessage", new[] { "signedMessage", "type" } },
            { "toCompact", new[] { "signedMessage", "data" } },
            { "fromCompact", new[] { "compact", "data" } },
            { "signData", Sign("data", "text") },
            { "signHash", Sign("hash") },
            { "signMessage", Sign("data", "text", "detached", "profile", "timestamp", "compact") },
            { "signBatch", Sign("items", "format", "detached", "profile", "timestamp") },
            { "signFile", Sign("path") },
            { "getDeferredResult", new[] { "ticket" } },
            { "createTimeStampRequest", new[] { "data", "text", "hashAlgorithm" } },
            { "createTimeStampResponse", new[] { "request" } },
            { "verifyTimeStamp", new[] { "response", "data", "text", "request" } },
            { "getTimeStampInfo", new[] { "response", "type" } },
        };

        /// <summary>Keys of the objects inside array parameters ("method.param").</summary>
        public static readonly IDictionary<string, string[]> ArrayItems = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            { "signBatch.items", new[] { "data", "text", "hash", "summary" } },
        };

        /// <summary>Throws when a typed call would send what the table does not list (a bug in this client).</summary>
        internal static void Require(string method, JsonObject p)
        {
            string[] allowed;
            if (!Methods.TryGetValue(method, out allowed)) throw new InvalidOperationException("ApiContract: " + method + " is not listed");
            foreach (var key in p.Keys)
            {
                if (Array.IndexOf(allowed, key) < 0) throw new InvalidOperationException("ApiContract: " + method + " sends " + key + ", which is not listed");
                string[] itemKeys;
                if (!ArrayItems.TryGetValue(method + "." + key, out itemKeys)) continue;
                foreach (var item in (List<object>)p[key])
                    foreach (var k in ((JsonObject)item).Keys)
                        if (Array.IndexOf(itemKeys, k) < 0) throw new InvalidOperationException("ApiContract: " + method + "." + key + "[] sends " + k + ", which is not listed");
            }
        }

        /// <summary>
        /// Differences between the agent's OpenAPI document and this client: a method it calls
        /// that is not there, a parameter it sends that the request schema does not have, a
        /// parameter the schema requires that this client never sends.
        /// </summary>
        public static IList<string> Compare(string openApiJson)
        {
            var problems = new List<string>();
            JsonObject doc;
            try { doc = Json.Parse(openApiJson) as JsonObject; }
            catch (FormatException e) { problems.Add("the OpenAPI document is not JSON: " + e.Message); return problems; }
            var paths = doc == null ? null : doc.GetObject("paths");
            if (paths == null) { problems.Add("the OpenAPI document has no paths"); return problems; }
            foreach (var m in Methods)
            {
                var path = paths.GetObject("/v1/" + m.Key);
                var post = path == null ? null : path.GetObject("post");
                if (post == null) { problems.Add(m.Key + ": no such method in the agent's API"); continue; }
                var schema = RequestSchema(doc, post);
                if (schema == null) { problems.Add(m.Key + ": no JSON request schema"); continue; }
                var props = Resolve(doc, schema).GetObject("properties") ?? new JsonObject();
                foreach (var param in m.Value)
                    if (!props.ContainsKey(param)) problems.Add(m.Key + ": parameter " + param + " is not in the request schema");
                var required = Resolve(doc, schema).GetArray("required");
                if (required != null)
                    foreach (var r in required)
                        if (Array.IndexOf(m.Value, r as string) < 0) problems.Add(m.Key + ": requires " + r + ", which this client never sends");
                foreach (var nested in ArrayItems)
                {
                    if (!nested.Key.StartsWith(m.Key + ".", StringComparison.Ordinal)) continue;
                    var arr = props.GetObject(nested.Key.Substring(m.Key.Length + 1));
                    var items = arr == null ? null : Resolve(doc, arr).GetObject("items");
                    var itemProps = items == null ? null : Resolve(doc, items).GetObject("properties");
                    if (itemProps == null) { problems.Add(nested.Key + ": no item schema"); continue; }
                    foreach (var k in nested.Value)
                        if (!itemProps.ContainsKey(k)) problems.Add(nested.Key + "[]: parameter " + k + " is not in the request schema");
                }
            }
            return problems;
        }

        static JsonObject RequestSchema(JsonObject doc, JsonObject post)
        {
            var body = post.GetObject("requestBody");
            if (body == null) return null;
            var content = Resolve(doc, body).GetObject("content");
            var json = content == null ? null : content.GetObject("application/json");
            return json == null ? null : json.GetObject("schema");
        }

        /// <summary>Follows a local "$ref": "#/components/…" (the agent inlines its schemas today).</summary>
        static JsonObject Resolve(JsonObject doc, JsonObject node)
        {
            for (int hops = 0; hops < 16 && node != null; hops++)
            {
                var r = node.GetString("$ref");
                if (r == null || !r.StartsWith("#/", StringComparison.Ordinal)) return node;
                JsonObject at = doc;
                foreach (var part in r.Substring(2).Split('/'))
                {
                    at = at == null ? null : at.GetObject(part.Replace("~1", "/").Replace("~0", "~"));
                }
                node = at;
            }
            return node ?? new JsonObject();
        }
    }
}
