console.log('context-budget: CLI not built yet'); process.exit(2);
