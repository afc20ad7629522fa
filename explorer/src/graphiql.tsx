// GraphiQL for development mode, bundled from npm so that /graphql works offline.
import "graphiql/style.css";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";

const root = document.getElementById("graphiql");
if (!root) throw new Error("the page has no #graphiql");
const fetcher = createGraphiQLFetcher({ url: root.dataset.endpoint ?? "/graphql" });
const defaultQuery = `# Search the graph; the Docs pane lists every question (whoCanAssume, whoCan, access, ...).
query {
  search(text: "ContractorAccess") { arn kind name accountId }
}
`;
createRoot(root).render(createElement(GraphiQL, { fetcher, defaultQuery }));
