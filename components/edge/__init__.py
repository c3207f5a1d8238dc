"""How clients reach the model servers: load balancers, TLS, rate limits."""
