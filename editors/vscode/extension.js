// extension.js — starts `kenko lsp` (the path from the `kenko.path`
// setting) for .kenko files; everything else is the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("kenko").get("path") || "kenko";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient("kenko", "kenko", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "kenko" }],
  });
  context.subscriptions.push(
    vscode.commands.registerCommand("kenko.runTest", async (uri, name) => {
      const report = await client.sendRequest("workspace/executeCommand", {
        command: "kenko.runTest",
        arguments: [uri, name],
      });
      vscode.window.showInformationMessage(String(report));
    })
  );
  client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
