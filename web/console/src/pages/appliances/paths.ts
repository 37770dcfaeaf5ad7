/** Where the appliance screens live in the console. */
export const appliancePaths = {
  analysis: '/appliances',
  customer: (customerNumber?: string | null, month?: string | null) =>
    `/appliances/customers${customerNumber ? `/${encodeURIComponent(customerNumber)}${month ? `/${month}` : ''}` : ''}`,
  billing: (month?: string | null, customerNumber?: string | null) =>
    `/appliances/billing${month ? `/${month}${customerNumber ? `/${encodeURIComponent(customerNumber)}` : ''}` : ''}`,
  catalog: '/appliances/catalog',
};
