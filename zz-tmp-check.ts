import react from '@vitejs/plugin-react';
export const p = react();
