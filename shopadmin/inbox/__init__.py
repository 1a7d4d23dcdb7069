"""The inbox digital worker: customer emails that update orders, with people in control."""
