"""After the parcel: service tickets and the desk, customers' reviews, churn and repeat visits, CRM programmes."""
