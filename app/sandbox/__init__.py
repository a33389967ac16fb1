"""Stand-in servers for PayTrace and Sage Pro: real HTTP on localhost, with fault injection."""
